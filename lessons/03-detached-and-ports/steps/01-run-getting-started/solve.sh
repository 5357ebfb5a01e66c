#!/bin/sh
docker run -d -p 80:80 docker/getting-started
