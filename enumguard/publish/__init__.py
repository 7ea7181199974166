"""GitHub: the sticky PR comment, inline review comments, annotations, job summary, outputs."""
