"""Evaluation: bilans' forms, the annual report (data, PDF, xlsx) and the indicators dashboard."""
