package dev.servicelab.account;

import dev.servicelab.security.TooManyAttempts;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Sign-in and sign-up pages. Someone sent to sign in from a join link ({@code /join/CODE}) who
 * signs up instead gets that code filled in, joins the cohort with their new account and lands on
 * their courses; anybody else lands where they were going (the catalog by default), signed in.
 */
@Controller
class SignInPageController {

    private static final Pattern JOIN_LINK = Pattern.compile("^/join/([A-Za-z0-9]{1,32})$");

    private final SignUpService signUps;
    private final AccountProperties properties;
    private final RequestCache requestCache = new HttpSessionRequestCache();

    SignInPageController(SignUpService signUps, AccountProperties properties) {
        this.signUps = signUps;
        this.properties = properties;
    }

    @GetMapping("/login")
    String login(Model model) {
        model.addAttribute("selfSignup", properties.selfSignup());
        model.addAttribute("invitationRequired", properties.signupRequiresInvitation());
        return "login";
    }

    /** A sign-in refused by the rate limit is forwarded here, answered 429 with the sign-in page. */
    @RequestMapping(TooManyAttempts.PAGE)
    String tooManyAttempts(HttpServletRequest request, HttpServletResponse response, Model model) {
        Object message = request.getAttribute(TooManyAttempts.MESSAGE_ATTRIBUTE);
        response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
        model.addAttribute("tooMany", message == null ? "Too many attempts. Wait a few minutes and try again." : message);
        return login(model);
    }

    @GetMapping("/signup")
    String signupForm(HttpServletRequest request, HttpServletResponse response, Model model) {
        if (!properties.selfSignup()) {
            return "redirect:/login";
        }
        form(model, null, null, invitedCode(request, response));
        return "signup";
    }

    @PostMapping("/signup")
    String signup(@RequestParam String username, @RequestParam(required = false) String displayName,
            @RequestParam String password, @RequestParam(required = false) String code, HttpServletRequest request,
            HttpServletResponse response, Model model, RedirectAttributes redirect) {
        if (!properties.selfSignup()) {
            return "redirect:/login";
        }
        try {
            SignUpService.SignedUp signedUp = signUps.signUp(username, displayName, password, code, request, response);
            if (signedUp.cohort() != null) {
                requestCache.removeRequest(request, response);
                redirect.addFlashAttribute("message", "Welcome! You joined " + signedUp.cohort() + ". Its labs are below.");
                return "redirect:/courses";
            }
            SavedRequest saved = requestCache.getRequest(request, response);
            requestCache.removeRequest(request, response);
            return "redirect:" + (saved == null ? "/" : saved.getRedirectUrl());
        } catch (AccountService.InvalidAccountException e) {
            model.addAttribute("error", e.getMessage());
        } catch (SignUpService.ThrottledException e) {
            response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
            response.setHeader(HttpHeaders.RETRY_AFTER, TooManyAttempts.seconds(e.retryAfter()));
            model.addAttribute("error", e.getMessage());
        }
        form(model, username, displayName, code);
        return "signup";
    }

    private void form(Model model, String username, String displayName, String code) {
        model.addAttribute("username", username);
        model.addAttribute("displayName", displayName);
        model.addAttribute("code", code);
        model.addAttribute("invitationRequired", properties.signupRequiresInvitation());
    }

    /** The join code of the join link that sent this visitor to sign in, if one did. */
    private String invitedCode(HttpServletRequest request, HttpServletResponse response) {
        SavedRequest saved = requestCache.getRequest(request, response);
        if (saved == null) {
            return null;
        }
        Matcher link = JOIN_LINK.matcher(URI.create(saved.getRedirectUrl()).getPath());
        return link.matches() ? link.group(1) : null;
    }
}
