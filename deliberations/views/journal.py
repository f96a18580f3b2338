from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from contrat_ville.documents import reponse_fichier
from contrat_ville.tables import configurer, filtres_de

from ..filters import JournalFilter
from ..journal import en_csv, journal
from ..tables import JournalTable


@login_required
@permission_required(["programmation.view_action", "deliberations.view_seance"], raise_exception=True)
def journal_liste(request):
    """Read-only, as the trail itself: no page changes or deletes a line of it."""
    filtre = JournalFilter(request.GET, request=request)
    lignes = journal(request.user, filtre.appliquer)
    if request.GET.get("export") == "csv":
        nom = f"{timezone.localdate():%Y%m%d}_journal_des_modifications.csv"
        return reponse_fichier(en_csv(lignes.iterator()), nom)
    table = configurer(request, JournalTable(lignes), 100, filtre)
    contexte = {"table": table, "filter": filtre, "filtres": filtres_de(request, filtre)}
    return render(request, "deliberations/journal.html", contexte)
