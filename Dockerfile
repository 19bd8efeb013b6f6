# Two stages: the build stage has a compiler and builds the compiled hot stages (setup.py, Cython) into
# a virtualenv; the runtime image gets that virtualenv only (no compiler), runs as a non-root user, and
# reports health from /readyz.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/farmwatch
ENV PATH=/opt/farmwatch/bin:$PATH
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY farmwatch ./farmwatch
COPY service ./service
COPY workers ./workers
RUN pip install --no-cache-dir . \
 && python -c "import farmwatch.analysis.extract._walk, farmwatch.analysis._text, farmwatch.analysis._minhash, farmwatch.analysis._align"  # fail the build if a compiled stage was not built

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/farmwatch --create-home farmwatch \
 && mkdir -p /var/lib/farmwatch/secrets /var/lib/farmwatch/data \
 && chown -R farmwatch:farmwatch /var/lib/farmwatch
COPY --from=build /opt/farmwatch /opt/farmwatch
ENV PATH=/opt/farmwatch/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    FARMWATCH_DATA_DIR=/var/lib/farmwatch/data
USER farmwatch
WORKDIR /var/lib/farmwatch
EXPOSE 8000
# /readyz: Redis reachable, persistence on, queue not stuck. Worker containers turn this off (compose).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
CMD ["farmwatch", "serve", "--host", "0.0.0.0"]
