# petstore-operator: the operator's static binary, FROM scratch.
#
# Built by scripts/images from a context it prepares (docker build has no
# network here, and no base image can be pulled): the build stage is
# `cargo build --release --target x86_64-unknown-linux-musl` outside Docker.
# The image holds the binary, the CA certificates (the operator talks TLS to
# the Kubernetes API server), an /etc/passwd naming the non-root user 65532,
# and nothing else: no shell, no package manager. It runs with a read-only
# root filesystem (it writes nothing).
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="petstore-operator" \
      org.opencontainers.image.description="The PetStore Kubernetes operator, static binary" \
      org.opencontainers.image.source="https://github.com/petstore-platform/petstore" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
COPY etc/ /etc/
COPY bin/petstore-operator /usr/local/bin/petstore-operator
ENV PATH=/usr/local/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/petstore-operator"]
CMD ["run"]
