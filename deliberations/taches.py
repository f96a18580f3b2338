from django_tasks import task

from contrat_ville.documents import produire

from .documents import cle_extrait, extrait_pdf
from .models import Deliberation


@task()
def produire_extrait_pdf(document_id):
    produire(
        document_id,
        lambda pk, avancer: extrait_pdf(Deliberation.objects.get(pk=pk), avancer),
        cle=cle_extrait,
    )
