from django_tasks import task

from contrat_ville.documents import produire

from .documents import annexe_pdf, cle_annexe
from .models import Tranche
from .tableur import annexe_xlsx


@task()
def produire_annexe_pdf(document_id):
    produire(
        document_id,
        lambda pk, avancer: annexe_pdf(Tranche.objects.get(pk=pk), avancer),
        cle=lambda pk: cle_annexe(pk, "pdf"),
    )


@task()
def produire_annexe_xlsx(document_id):
    produire(
        document_id,
        lambda pk, avancer: annexe_xlsx(Tranche.objects.get(pk=pk)),
        cle=lambda pk: cle_annexe(pk, "xlsx"),
    )
