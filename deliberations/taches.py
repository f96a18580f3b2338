from django_tasks import task

from contrat_ville.documents import produire
from contrat_ville.models import DocumentGenere

from .documents import extrait_pdf
from .models import Deliberation


@task()
def produire_extrait_pdf(document_id):
    deliberation = Deliberation.objects.get(pk=DocumentGenere.objects.get(pk=document_id).objet_id)
    produire(document_id, lambda avancer: extrait_pdf(deliberation, avancer))
