#!/bin/sh
cd /root/work && echo 'Hello again, changed' > message.txt && docker build -t hello-app .
