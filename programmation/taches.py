from django_tasks import task

from contrat_ville.documents import produire
from contrat_ville.models import DocumentGenere

from .documents import annexe_pdf
from .models import Tranche
from .tableur import annexe_xlsx


@task()
def produire_annexe_pdf(document_id):
    tranche = Tranche.objects.get(pk=DocumentGenere.objects.get(pk=document_id).objet_id)
    produire(document_id, lambda avancer: annexe_pdf(tranche, avancer))


@task()
def produire_annexe_xlsx(document_id):
    tranche = Tranche.objects.get(pk=DocumentGenere.objects.get(pk=document_id).objet_id)
    produire(document_id, lambda avancer: annexe_xlsx(tranche))
