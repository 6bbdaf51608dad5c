# The API image: the package installed the way the README installs it (CPU torch first,
# then the package), the bundled seeds, `qa serve` on 0.0.0.0:8000.
FROM python:3.11-slim

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
RUN pip install torch==2.13.0 --index-url "${TORCH_INDEX_URL}" \
 && pip install -e .

VOLUME /data
EXPOSE 8000
CMD ["qa", "serve"]
