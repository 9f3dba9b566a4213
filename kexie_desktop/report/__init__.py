"""The year-end summary report (年度汇总表): one Qt-free model (``model``), written as an Excel workbook
(``excel``) or a PDF (``pdf``)."""

from .model import Report, build_report, report_title

__all__ = ["Report", "build_report", "report_title"]
