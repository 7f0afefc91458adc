package dev.servicelab.account;

import dev.servicelab.security.Role;
import dev.servicelab.security.AccountRepository;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** Creates the first admin from configuration, so a new installation can be signed into at all. */
@Component
class FirstAdmin implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(FirstAdmin.class);

    private final AccountRepository accounts;
    private final AccountService service;
    private final AccountProperties properties;

    FirstAdmin(AccountRepository accounts, AccountService service, AccountProperties properties) {
        this.accounts = accounts;
        this.service = service;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (accounts.existsWithRole(Role.ADMIN)) {
            return;
        }
        if (properties.firstAdminPassword().isBlank()) {
            log.warn("No admin account exists. Set servicelab.accounts.first-admin-password (env "
                    + "SERVICELAB_ACCOUNTS_FIRST_ADMIN_PASSWORD) to create '{}' on the next start.",
                    properties.firstAdminUsername());
            return;
        }
        service.create(properties.firstAdminUsername(), "Administrator", properties.firstAdminPassword(), Role.ADMIN);
        log.info("Created the first admin account '{}'", properties.firstAdminUsername());
    }
}
