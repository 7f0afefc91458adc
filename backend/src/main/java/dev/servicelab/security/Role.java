package dev.servicelab.security;

public enum Role {
    LEARNER, INSTRUCTOR, ADMIN
}
