#!/bin/sh
docker rm $(docker ps -a -q --filter ancestor=hello-world)
