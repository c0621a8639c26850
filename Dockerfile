# One image per service: docker build --build-arg SERVICE=gateway -t hotswap-gateway .
# Build the jars first (./hotswap build); the image only copies the service's executable jar.
ARG JRE_IMAGE=eclipse-temurin:21-jre
FROM ${JRE_IMAGE}
ARG SERVICE
RUN useradd --system --uid 10001 hotswap && mkdir -p /data && chown hotswap /data
COPY services/${SERVICE}/target/hotswap-${SERVICE}-*-exec.jar /app/app.jar
USER hotswap
ENV HOTSWAP_STATE_DIR=/data/state JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
