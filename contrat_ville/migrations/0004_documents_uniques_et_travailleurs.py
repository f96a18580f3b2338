"""One document of a kind and data in production at a time, attempts, and the workers' heartbeats."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Q

EN_PRODUCTION = ["en_attente", "en_cours"]


def fermer_les_doublons(apps, schema_editor):
    """Before the constraint: of the same document queued several times, the latest is kept, the others
    are closed (their tasks find them finished and write nothing)."""
    DocumentGenere = apps.get_model("contrat_ville", "DocumentGenere")
    vus = set()
    for document in DocumentGenere.objects.filter(statut__in=EN_PRODUCTION).order_by("-cree_le", "-pk"):
        cle = (document.collectivite_id, document.nature, document.objet_id, document.nom_fichier)
        if cle in vus:
            DocumentGenere.objects.filter(pk=document.pk).update(
                statut="echec",
                termine_le=django.utils.timezone.now(),
                erreur="Demande en double : le même document a été demandé à nouveau ensuite.",
            )
        vus.add(cle)


class Migration(migrations.Migration):
    dependencies = [
        ("contrat_ville", "0003_cadre_strategique"),
    ]

    operations = [
        migrations.CreateModel(
            name="TravailleurDocuments",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("identifiant", models.CharField(max_length=64, unique=True, verbose_name="identifiant")),
                ("machine", models.CharField(blank=True, max_length=255, verbose_name="machine")),
                ("processus", models.PositiveIntegerField(default=0, verbose_name="processus")),
                (
                    "demarre_le",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="démarré le"),
                ),
                (
                    "vu_le",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="dernier signe de vie"
                    ),
                ),
            ],
            options={
                "verbose_name": "service de production des documents",
                "verbose_name_plural": "services de production des documents",
                "ordering": ["-vu_le"],
            },
        ),
        migrations.AddField(
            model_name="documentgenere",
            name="tache",
            field=models.UUIDField(blank=True, editable=False, null=True, verbose_name="tâche"),
        ),
        migrations.AddField(
            model_name="documentgenere",
            name="tentatives",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="tentatives"),
        ),
        migrations.RunPython(fermer_les_doublons, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="documentgenere",
            constraint=models.UniqueConstraint(
                condition=Q(statut__in=EN_PRODUCTION),
                fields=("collectivite", "nature", "objet_id", "nom_fichier"),
                name="document_unique_en_production",
                violation_error_message="Ce document est déjà en cours de production.",
            ),
        ),
    ]
