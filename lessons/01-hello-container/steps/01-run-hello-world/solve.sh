#!/bin/sh
docker run hello-world
