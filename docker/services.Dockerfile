# petstore-services: the store's one binary, petstore, which runs every service
# (`petstore gateway`, `petstore users`, ..., `petstore console`) and applies
# their migrations (`petstore migrate <service>`), as services/contract
# (SERVICES_IMAGE, BINARY) and the operator expect. It also holds petstore-load,
# the load generator the operator runs for `spec.loadGenerator`.
#
# One binary and one image rather than one per service: the services share
# most of their code, which is then built, linked and pulled once; one tag
# (PetStore spec.version) names one consistent set of services.
#
# Built by scripts/images from a context it prepares (docker build has no
# network here, and no base image can be pulled): the build stage is
# `cargo build --release --target x86_64-unknown-linux-musl` outside Docker,
# so the image is FROM scratch: two static binaries, an /etc/passwd naming the
# non-root user 65532, an empty /tmp (mount an emptyDir there with a
# read-only root filesystem), no shell, no package manager.
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="petstore-services" \
      org.opencontainers.image.description="The PetStore in one static binary (petstore <service>) and petstore-load" \
      org.opencontainers.image.source="https://github.com/petstore-platform/petstore" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
COPY etc/ /etc/
COPY tmp/ /tmp/
COPY bin/ /usr/local/bin/
ENV PATH=/usr/local/bin
USER 65532:65532
# No default command: the container's command names the service (petstore <service>).
