package dev.servicelab.account;

import dev.servicelab.security.Role;
import dev.servicelab.security.AccountRepository;
import dev.servicelab.security.Account;

import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

@Service
public class AccountService {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{1,63}");
    private static final int MIN_PASSWORD = 8;

    private final AccountRepository accounts;
    private final PasswordEncoder passwordEncoder;

    public AccountService(AccountRepository accounts, PasswordEncoder passwordEncoder) {
        this.accounts = accounts;
        this.passwordEncoder = passwordEncoder;
    }

    /** Creates an account, or explains in the learner's terms why it cannot. */
    public Account create(String username, String displayName, String password, Role role) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new InvalidAccountException("Choose a username of 2 to 64 letters, digits, dots, dashes or underscores.");
        }
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new InvalidAccountException("Choose a password of at least " + MIN_PASSWORD + " characters.");
        }
        String name = displayName == null || displayName.isBlank() ? username : displayName.strip();
        try {
            return accounts.insert(username, name, passwordEncoder.encode(password), role);
        } catch (DuplicateKeyException e) {
            // The password was hashed before the insert, so a taken name answers as slowly as a free one.
            throw new InvalidAccountException("The username '" + username + "' is not available; choose another one.");
        }
    }

    public static final class InvalidAccountException extends RuntimeException {
        public InvalidAccountException(String message) {
            super(message);
        }
    }
}
