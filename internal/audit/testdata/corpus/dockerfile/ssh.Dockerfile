FROM alpine:3.20
RUN apk add --no-cache openssh
USER 10001
EXPOSE 8080 22
HEALTHCHECK CMD ["nc", "-z", "localhost", "8080"]
CMD ["/usr/sbin/sshd", "-D"]
