"""The year-end summary report (年度汇总表): one Qt-free model (``model``), written as an Excel workbook
(``excel``) or a PDF (``pdf``); ``write_report`` picks the form by the file suffix."""

from .model import Report, build_report, report_title
from .output import check_output, write_report

__all__ = ["Report", "build_report", "check_output", "report_title", "write_report"]
