class ErreurImport(Exception):
    """A file the import cannot read at all; the message, in French, is shown as is."""
