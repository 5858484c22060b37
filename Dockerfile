# One image for every Zhaoshang service; the service is chosen by the command:
#   python -m zhaoshang.runner <service>
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tzdata: shared.clock uses ZoneInfo("Asia/Shanghai"); newer slim bases ship
# without the system zone database. fonts-wqy-microhei, fonts-arphic-ukai,
# fonts-arphic-uming: the Chinese fonts embedded in PDF documents (shared/gongwen.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 zhaoshang \
    && useradd --system --uid 10001 --gid zhaoshang --home-dir /app \
       --no-create-home --shell /usr/sbin/nologin zhaoshang \
    && mkdir -p /data \
    && chown zhaoshang:zhaoshang /data

WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir . \
    && rm -rf /app/build /app/*.egg-info

ENV ZS_POLICY_DIR=/app/policy ZS_DATA_DIR=/data
VOLUME /data

USER zhaoshang
EXPOSE 8000
CMD ["python", "-m", "zhaoshang.runner", "gateway"]
