"""One authority's data, saved to an authenticated archive and restored beside the other authorities.

The archive is a zip: `manifeste.json` (format, date, authority, schema, row counts per model,
SHA-256 of `donnees.json` and of every document), `signature` (HMAC-SHA256 of the manifest's bytes,
keyed by `settings.SAUVEGARDE_CLE`), `donnees.json` (one entry per row: model, primary key at the
time of the backup, fields; groups and permissions by their natural keys) and `fichiers/` (the
generated documents). The models come from the app registry, each reached through its foreign keys
up to `Collectivite`: a model added later is saved too, with nothing to declare here.

Restoring never writes onto an existing row: every row gets a new primary key and every foreign
key and many-to-many link is rewritten to the new keys. Before anything is written the archive is
authenticated, and every row is checked (its model and fields, its links, all inside the archive
and leading to the archive's authority, its values and the uniqueness rules); a refusal raises
`ErreurSauvegarde` with the reason in French and writes nothing. Accounts come back as ordinary
accounts (never superuser nor staff) without a usable password: the report lists them.

The archive's format and what both directions share: archive.py; the backup: ecriture.py; reading and
authenticating an archive: lecture.py; its rows checked against the models: lignes.py; the restore:
restauration.py.
"""

from .archive import ErreurSauvegarde, modeles_sauvegardes, signer
from .ecriture import sauvegarder
from .restauration import restaurer

__all__ = ["ErreurSauvegarde", "modeles_sauvegardes", "restaurer", "sauvegarder", "signer"]
