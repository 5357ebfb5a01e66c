#!/bin/sh
docker rmi me/tools:1.0
docker pull me/tools:1.0
