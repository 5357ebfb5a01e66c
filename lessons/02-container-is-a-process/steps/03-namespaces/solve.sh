#!/bin/sh
docker rm -f sleeper
