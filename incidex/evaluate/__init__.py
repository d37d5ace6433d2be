"""Scoring of extractions against gold files, as codebook section 7 describes.

Per article, predicted and gold incidents are paired one to one (best total match);
paired incidents are then compared field by field, and across articles the predicted
event ids are scored as pairwise links against the gold event ids.
"""

from incidex.evaluate.load import EvalError, load_docs
from incidex.evaluate.report import format_report, report_to_dict
from incidex.evaluate.score import EvalReport, score

__all__ = ["EvalError", "EvalReport", "format_report", "load_docs", "report_to_dict", "score"]
