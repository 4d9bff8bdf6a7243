"""PDF documents (ReportLab): service slips, later quotes and inspection reports."""
