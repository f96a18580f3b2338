from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from .models import DocumentGenere, StatutDocument


def _document(request, pk):
    documents = DocumentGenere.objects.filter(collectivite=request.user.collectivite_id)
    # No scheduler here: a document whose worker died is closed when someone looks at it.
    documents.filter(pk=pk).declarer_abandonnes()
    return get_object_or_404(documents, pk=pk)


@login_required
def document(request, pk):
    return render(request, "contrat_ville/document.html", {"document": _document(request, pk)})


@login_required
def document_telecharger(request, pk):
    document = _document(request, pk)
    if document.statut != StatutDocument.PRET:
        raise Http404("Ce document n'est pas encore prêt.")
    return FileResponse(document.fichier.open("rb"), as_attachment=True, filename=document.nom_fichier)
