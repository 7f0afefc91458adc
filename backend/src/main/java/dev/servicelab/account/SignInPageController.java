package dev.servicelab.account;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

@Controller
class SignInPageController {

    private final AccountService accounts;
    private final AccountProperties properties;

    SignInPageController(AccountService accounts, AccountProperties properties) {
        this.accounts = accounts;
        this.properties = properties;
    }

    @GetMapping("/login")
    String login(Model model) {
        model.addAttribute("selfSignup", properties.selfSignup());
        return "login";
    }

    @GetMapping("/signup")
    String signupForm(Model model) {
        if (!properties.selfSignup()) {
            return "redirect:/login";
        }
        return "signup";
    }

    @PostMapping("/signup")
    String signup(@RequestParam String username, @RequestParam(required = false) String displayName,
            @RequestParam String password, Model model) {
        if (!properties.selfSignup()) {
            return "redirect:/login";
        }
        try {
            accounts.create(username, displayName, password, Role.LEARNER);
            return "redirect:/login?registered";
        } catch (AccountService.InvalidAccountException e) {
            model.addAttribute("error", e.getMessage());
            model.addAttribute("username", username);
            model.addAttribute("displayName", displayName);
            return "signup";
        }
    }
}
