#!/bin/sh
docker exec sleeper hostname inside-box
