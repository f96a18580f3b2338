"""Values that have broken pages elsewhere, for the hostile-input tests and `bench/charge.py --abus`.

Plain Python: the bench sends them over HTTP without setting Django up.
"""

# The query parameters of the list pages: the programmation's filters, sorting, paging and export.
PARAMETRES_DES_LISTES = [
    "q",
    "contrat",
    "annee",
    "axe",
    "tranche",
    "statut",
    "porteur",
    "commune",
    "quartier",
    "financeur",
    "section",
    "contribution_min",
    "contribution_max",
    "sort",
    "page",
    "per_page",
    "export",
]

VALEURS_HOSTILES = [
    "",
    "0",
    "-1",
    "1e309",
    "1e400",
    "NaN",
    "2024",
    "9" * 30,
    "1,5",
    "on",
    "31/02/2024",
    "2024-13-45",
    "'; DROP TABLE x;--",
    "1 OR 1=1",
    "%00",
    "a\x00b",
    "=1+1",
    "<script>",
    "../../etc/passwd",
    "[]",
    "{}",
    "\u202e",
    "é" * 300,
]
