#!/bin/sh
# Starts RabbitMQ, then makes the broker user's password the one its Secret
# holds now (RABBITMQ_DEFAULT_USER/PASS only apply to an empty volume), so a
# re-created or rotated Secret never locks the services out of the broker.
# Shipped by petstore-operator.

docker-entrypoint.sh rabbitmq-server &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT

attempt=0
while kill -0 "$pid" 2>/dev/null; do
  if rabbitmqctl --quiet await_startup >/dev/null 2>&1; then
    user=$RABBITMQ_DEFAULT_USER
    if ! rabbitmqctl --quiet list_users --silent | cut -f1 | grep -qx "$user"; then
      rabbitmqctl --quiet add_user "$user" "$RABBITMQ_DEFAULT_PASS" >/dev/null
    fi
    if rabbitmqctl --quiet change_password "$user" "$RABBITMQ_DEFAULT_PASS" >/dev/null &&
      rabbitmqctl --quiet set_permissions -p / "$user" '.*' '.*' '.*' >/dev/null &&
      rabbitmqctl --quiet set_user_tags "$user" administrator >/dev/null; then
      echo "petstore: password of $user set from its Secret"
      break
    fi
  fi
  attempt=$((attempt + 1))
  [ "$attempt" -ge 60 ] && { echo "petstore: could not set the broker password" >&2; break; }
  sleep 2
done

wait "$pid"
status=$?
if kill -0 "$pid" 2>/dev/null; then
  wait "$pid"
  status=$?
fi
exit "$status"
