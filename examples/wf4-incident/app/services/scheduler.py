"""Background scheduler: picks up sitemap analysis jobs that still need work."""

from app.models import SitemapAnalysisJob, SitemapAnalysisStatusEnum


def needs_processing(job: SitemapAnalysisJob) -> bool:
    status = job.status
    if status not in [
        SitemapAnalysisStatusEnum.submitted,
        SitemapAnalysisStatusEnum.Completed,
        SitemapAnalysisStatusEnum.failed,
        SitemapAnalysisStatusEnum.Error,
    ]:
        return True
    return False


def mark_queued(job: SitemapAnalysisJob) -> None:
    job.status = SitemapAnalysisStatusEnum.queued
