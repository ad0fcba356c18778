"""The HTML reports: self-contained pages, no network requests.

* :mod:`~assess.report.html.page`: the report of a scored result (:func:`to_html`,
  :func:`write_html`), rendered from the Jinja2 templates in ``templates/``;
* :mod:`~assess.report.html.analyses`: its Agreement and Sensitivity sections;
* :mod:`~assess.report.html.calibration`: the calibration report's page (loaded only with a
  calibration).
"""

from .page import generated_timestamp, to_html, write_html

__all__ = ["generated_timestamp", "to_html", "write_html"]
