-- Sitemap analysis jobs and their status type.
CREATE TYPE public.sitemap_analysis_status AS ENUM (
    'queued',
    'submitted',
    'completed',
    'error'
);

CREATE TABLE public.sitemap_analysis_jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    domain text NOT NULL,
    status public.sitemap_analysis_status NOT NULL DEFAULT 'queued'
);
