# One image for every Relais process: the four services, the staff console, the provisioning
# step and the `relais` ops CLI. Which one runs is the argument (or RELAIS_SERVICE):
#   docker run relais intake|routing|advisory|admin|console|provision|relais ...
# Built and checked as docs/deploy.md says (buildah here; any OCI builder elsewhere).

# Python as in development and CI (3.11); pinned by tag; pin the digest in your registry.
ARG PYTHON_IMAGE=docker.io/library/python:3.11.7-slim-bookworm

# --- build: a virtualenv of the pinned runtime dependencies, wheels only (no compiler) ---------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/relais
COPY deploy/requirements.lock /tmp/requirements.lock
# --no-deps: the lock is the whole closure (tools/runtime_lock.py), nothing else may come in.
RUN /opt/relais/bin/pip install --no-deps --only-binary=:all: -r /tmp/requirements.lock \
    && rm -rf /opt/relais/bin/pip* /opt/relais/lib/python3*/site-packages/pip \
        /opt/relais/lib/python3*/site-packages/setuptools
# The code, not an installed package: the SQL migrations, templates and i18n files travel with
# the modules that read them.
COPY shared /app/shared
COPY services /app/services
COPY reporting /app/reporting
COPY relais_cli /app/relais_cli
COPY ops /app/ops
COPY lab /app/lab
COPY deploy/container/entrypoint.sh /app/entrypoint.sh
RUN find /app -name '__pycache__' -prune -exec rm -rf {} + \
    && /opt/relais/bin/python -m compileall -q /app

# --- runtime: the interpreter, the virtualenv and the code; no pip, no build tools ------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 relais \
    && useradd --system --uid 10001 --gid relais --no-create-home --shell /usr/sbin/nologin relais \
    && rm -rf /usr/local/lib/python3.11/site-packages/pip /usr/local/bin/pip*
COPY --from=build /opt/relais /opt/relais
COPY --from=build /app /app
ENV PATH=/opt/relais/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RELAIS_ENV=production \
    RELAIS_HTTP_HOST=0.0.0.0 \
    RELAIS_HTTP_PORT=8080 \
    RELAIS_SERVICE=intake
WORKDIR /app
USER 10001:10001
EXPOSE 8080
# /health answers while the process serves (liveness); /ready adds Kafka and the lag bound.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ['RELAIS_HTTP_PORT'], timeout=2)"]
ENTRYPOINT ["/app/entrypoint.sh"]
CMD []
