package dev.servicelab.account;

public enum Role {
    LEARNER, INSTRUCTOR, ADMIN
}
