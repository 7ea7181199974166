"""Background scheduler: queues sitemap analysis jobs and records how they ended."""

from app.models import SitemapAnalysisJob, SitemapAnalysisStatusEnum


def enqueue(domain: str) -> SitemapAnalysisJob:
    # INSERT ... status = 'Queued': invalid input value for enum sitemap_analysis_status
    return SitemapAnalysisJob(domain=domain, status=SitemapAnalysisStatusEnum.Queued)


def finish(job: SitemapAnalysisJob, ok: bool) -> None:
    job.status = SitemapAnalysisStatusEnum.Completed if ok else SitemapAnalysisStatusEnum.Error
