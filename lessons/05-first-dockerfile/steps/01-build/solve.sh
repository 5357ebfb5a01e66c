#!/bin/sh
cd /root/work && docker build -t hello-app .
