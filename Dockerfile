# syntax=docker/dockerfile:1
# The casebase image: `casebase serve` and the casebase command, and nothing else
# (docs/operations.md). Its Python packages are exactly those of requirements.lock.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtual environment from the lock file, plus casebase's own wheel ---------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/casebase
COPY requirements.lock /src/requirements.lock
RUN /opt/casebase/bin/pip install --require-hashes --no-deps -r /src/requirements.lock
COPY pyproject.toml README.md /src/
COPY casebase /src/casebase
RUN /opt/casebase/bin/pip wheel --no-deps --wheel-dir /src/dist /src \
    && /opt/casebase/bin/pip install --no-deps /src/dist/casebase-*.whl \
    && /opt/casebase/bin/pip uninstall --yes pip

# --- run: the environment, the seed data, an unprivileged user --------------------------
FROM ${PYTHON_IMAGE}
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/casebase casebase \
    && mkdir -p /var/lib/casebase/index /var/lib/casebase/instance \
    && chown -R casebase:casebase /var/lib/casebase
COPY --from=build /opt/casebase /opt/casebase
COPY seed_data /opt/casebase-seed
ENV PATH=/opt/casebase/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CASEBASE_INSTANCE_DIR=/var/lib/casebase/instance \
    CASEBASE_INDEX_DIR=/var/lib/casebase/index \
    CASEBASE_SEED_DIR=/opt/casebase-seed
USER casebase
WORKDIR /var/lib/casebase
EXPOSE 8000
CMD ["casebase", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
