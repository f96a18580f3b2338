"""Horizontal bar charts drawn as SVG on the server: no JavaScript, printable, and each chart's
figures stand in a table beside it (the SVG is a picture of that table)."""

from django.utils.html import format_html, format_html_join

from .formats import euros

COULEURS = ["#1f4e8c", "#2e8540", "#b35c00", "#6a3d9a"]  # contrast ≥ 4.5:1 against white
HAUTEUR_LIGNE, LARGEUR_LIBELLE, LARGEUR_BARRES = 22, 260, 420


def barres(lignes, series, titre, formater=euros):
    """lignes: dicts; series: [(key, legend)]. Each row gets one bar per series."""
    maximum = max((ligne[c] or 0 for ligne in lignes for c, _ in series), default=0) or 1
    hauteur_groupe = HAUTEUR_LIGNE * len(series) + 10
    hauteur = hauteur_groupe * len(lignes) + 30
    elements = []
    for i, ligne in enumerate(lignes):
        haut = i * hauteur_groupe
        elements.append(
            format_html(
                '<text x="0" y="{}" class="libelle">{}</text>',
                haut + HAUTEUR_LIGNE - 6,
                ligne["libelle"][:40],
            )
        )
        for j, (cle, _) in enumerate(series):
            valeur = ligne.get(cle)
            if valeur is None:
                continue
            largeur = int(LARGEUR_BARRES * float(valeur) / float(maximum))
            y = haut + j * HAUTEUR_LIGNE
            elements.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                    '<text x="{}" y="{}" class="valeur">{}</text>',
                    LARGEUR_LIBELLE,
                    y + 3,
                    max(largeur, 1),
                    HAUTEUR_LIGNE - 6,
                    COULEURS[j % len(COULEURS)],
                    LARGEUR_LIBELLE + max(largeur, 1) + 4,
                    y + HAUTEUR_LIGNE - 7,
                    formater(valeur),
                )
            )
    legende = format_html_join(
        "",
        '<rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
        '<text x="{}" y="{}" class="valeur">{}</text>',
        (
            (
                LARGEUR_LIBELLE + j * 150,
                hauteur - 16,
                COULEURS[j % len(COULEURS)],
                LARGEUR_LIBELLE + j * 150 + 16,
                hauteur - 6,
                nom,
            )
            for j, (_, nom) in enumerate(series)
        ),
    )
    return format_html(
        '<svg class="graphique" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMinYMin meet">{}{}</svg>',
        LARGEUR_LIBELLE + LARGEUR_BARRES + 120,
        hauteur,
        f"{titre} (les chiffres sont dans le tableau qui suit)",
        format_html_join("", "{}", ((e,) for e in elements)),
        legende,
    )
