import json
import logging


class FormatJSON(logging.Formatter):
    """One JSON object a line: what a log collector reads without a parsing rule of its own."""

    def format(self, record):
        entree = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if hasattr(record, "status_code"):
            entree["status"] = record.status_code
        if record.exc_info:
            entree["exception"] = self.formatException(record.exc_info)
        return json.dumps(entree, ensure_ascii=False)
