#!/bin/sh
docker version
