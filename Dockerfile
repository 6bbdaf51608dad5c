# The API image: the package installed the way the README installs it (CPU torch first,
# then the package), the bundled seeds, `qa serve` on 0.0.0.0:8000 as an unprivileged user.
# The base image is pinned to a release (a moving tag would change what is built).
FROM python:3.11.11-slim-bookworm

# torch 2.13.0 CPU build: PyPI's default Linux wheel drags in multi-GB CUDA libraries.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 \
    ANONYMIZED_TELEMETRY=False \
    QA_DATA_DIR=/data \
    QA_HOST=0.0.0.0 \
    QA_PORT=8000

WORKDIR /app
COPY pyproject.toml README.md ./
COPY qa ./qa
COPY seeds ./seeds
# chromadb pinned to the server image of docker-compose.yml: client and server must speak
# the same API version.
RUN pip install torch==2.13.0 --index-url "${TORCH_INDEX_URL}" \
 && pip install -e . chromadb==1.5.9 \
 && useradd --create-home --uid 10001 qa \
 && mkdir -p /data && chown qa /data

USER qa
VOLUME /data
EXPOSE 8000
CMD ["qa", "serve"]
