# Production image: migrations, then uvicorn with several workers.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MESTRING_ENV=production \
    WEB_CONCURRENCY=4

WORKDIR /srv/mestring
RUN useradd --system --uid 10001 --home-dir /srv/mestring mestring

# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY pyproject.toml alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-deps -e . && chown -R mestring /srv/mestring

USER mestring
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"

# MESTRING_DATABASE_URL and MESTRING_SECRET_KEY must be provided at run time.
CMD ["sh", "-c", "mestring migrate && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY} --no-access-log --proxy-headers"]
