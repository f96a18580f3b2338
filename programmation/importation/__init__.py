"""Importing actions from a spreadsheet: read, recognise the columns, preview row by row, then load.

`lecture` reads xlsx/csv into rows, `entetes` recognises the columns, `valeurs` parses cells,
`lignes` turns rows into candidate actions, `apercu` compares them with the database, `chargement`
writes them all or nothing, `modele` makes the template file.
"""

from .erreurs import ErreurImport

__all__ = ["ErreurImport"]
