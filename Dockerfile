# syntax=docker/dockerfile:1
# The Mestring API image. README, "Running in production", says how to run it: `mestring migrate`
# once per release as a job, then `mestring serve` (the default command) on as many replicas as
# needed. It runs as uid/gid 10001, owns none of its files, and works on a read-only root
# filesystem with one writable volume for the metrics of its workers.

# Pinned by version and digest (bookworm: glibc 2.36, new enough for every wheel in the lock).
# Bump both together; a build with another base: --build-arg PYTHON_IMAGE=...
ARG PYTHON_IMAGE=python:3.11.15-slim-bookworm@sha256:d29f48a31a8b408ed19272ca1e7b10ebae13b240a27e862d3d4217c528e2e0c3

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PYTHONDONTWRITEBYTECODE=1
# Dependencies only from the hash-locked file, as wheels: nothing is resolved, nothing is built,
# no build tool is fetched. The venv's own pip comes with the base image and is removed after.
COPY requirements.lock /tmp/requirements.lock
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes --no-deps --only-binary=:all: --no-compile \
      -r /tmp/requirements.lock \
 && /opt/venv/bin/pip uninstall --yes --quiet pip setuptools \
 && rm /tmp/requirements.lock
# The application is not installed as a package: it lives in /srv/mestring beside alembic.ini
# and migrations/, where `mestring migrate` finds them, and a .pth file puts it on the path.
# The `mestring` command keeps the __main__ guard: uvicorn's workers are spawned processes that
# re-import the main module, and must not run the command again.
# Bytecode is compiled now, so a read-only filesystem costs nothing at start; hash-based .pyc
# files record no file times, so two builds of the same sources give the same bytes.
COPY alembic.ini /srv/mestring/alembic.ini
COPY migrations /srv/mestring/migrations
COPY app /srv/mestring/app
RUN echo /srv/mestring > "$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/mestring.pth" \
 && printf '#!/opt/venv/bin/python\nfrom app.cli import main\n\nif __name__ == "__main__":\n    main()\n' \
      > /opt/venv/bin/mestring \
 && chmod 0755 /opt/venv/bin/mestring \
 && find /srv/mestring -type d -name __pycache__ -prune -exec rm -rf {} + \
 && /opt/venv/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash \
      /opt/venv/lib /srv/mestring/app /srv/mestring/migrations \
 && chmod -R u=rwX,go=rX /opt/venv /srv/mestring

FROM ${PYTHON_IMAGE}
# Two workers with a pool of 10 connections each (no overflow): at most 20 PostgreSQL connections
# per container
# (README shows the arithmetic for several replicas). Mount an empty, writable volume (an
# emptyDir, a tmpfs) at PROMETHEUS_MULTIPROC_DIR; `mestring serve` checks and clears it.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MESTRING_ENV=production \
    WEB_CONCURRENCY=2 \
    MESTRING_DB_POOL_SIZE=10 \
    PROMETHEUS_MULTIPROC_DIR=/run/mestring/metrics
# A numeric user and group of their own (no login, no home). Written directly rather than with
# useradd, which would stamp today's date into /etc/shadow and make the build differ each day.
RUN echo 'mestring:x:10001:10001:Mestring:/nonexistent:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'mestring:x:10001:' >> /etc/group \
 && mkdir -p /run/mestring/metrics \
 && chown 10001:10001 /run/mestring/metrics \
 && chmod 1777 /run/mestring/metrics
# Owned by root and not writable by the app user.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/mestring /srv/mestring
WORKDIR /srv/mestring
USER 10001:10001
EXPOSE 8000
# Docker's own probe; orchestrators use /healthz and /readyz (README).
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python3", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
# The same image runs the reminder worker with `mestring worker [--metrics-port 9100]` as its
# command (README, The worker): procrastinate on the same PostgreSQL, no other service.
# Serve only: migrations are their own step (`mestring migrate`, README). MESTRING_DATABASE_URL
# and MESTRING_SECRET_KEY (or their *_FILE forms) must be given at run time.
CMD ["mestring", "serve", "--host", "0.0.0.0", "--port", "8000"]
