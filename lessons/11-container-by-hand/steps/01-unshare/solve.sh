#!/bin/sh
unshare -u sh -c 'hostname by-hand; hostname > /root/inside.txt'
