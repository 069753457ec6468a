# petstore-services: every service binary of the store (the web console included)
# in one image, each on PATH under its own name (petstore-gateway, petstore-users,
# ..., petstore-console), as
# services/contract (SERVICES_IMAGE) and the operator expect: the operator
# runs `[petstore-<name>]` and `[petstore-<name>, migrate]` from it.
# It also holds petstore-load, the load generator the operator runs for
# `spec.loadGenerator`.
#
# One image rather than one per service: the binaries are static and share
# most of their code, one tag (PetStore spec.version) names one consistent
# set of services, and a node pulls it once for all of them.
#
# Built by scripts/images from a context it prepares (docker build has no
# network here, and no base image can be pulled): the build stage is
# `cargo build --release --target x86_64-unknown-linux-musl` outside Docker,
# so the image is FROM scratch: static binaries, an /etc/passwd naming the
# non-root user 65532, an empty /tmp (mount an emptyDir there with a
# read-only root filesystem), no shell, no package manager.
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="petstore-services" \
      org.opencontainers.image.description="The PetStore services (gateway, users, catalog, ..., console) and petstore-load, static binaries" \
      org.opencontainers.image.source="https://github.com/petstore-platform/petstore" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
COPY etc/ /etc/
COPY tmp/ /tmp/
COPY bin/ /usr/local/bin/
ENV PATH=/usr/local/bin
USER 65532:65532
# No default command: the container's command names the service binary.
