"""Choosing a password in a real browser: the live hint and the show-password switch (password.js), and the
server's word on a common password."""
from plugins.browser import sign_in


def test_the_hint_counts_while_typing_and_the_server_has_the_last_word(page, live_server, make_user):
    make_user("zhangsan", name="张三", password="initial-pass", must_change_password=True)
    sign_in(page, live_server, "zhangsan", "initial-pass")
    page.wait_for_url(f"{live_server}/password")
    meter = page.locator("[data-password-meter]")
    assert meter.is_hidden()

    page.fill("#new_password", "short one")
    assert meter.inner_text() == "还差 3 个字符（已输入 9 个）。"
    page.fill("#new_password", "I am ZhangSan from c01")
    assert meter.inner_text() == "不能包含用户名或姓名。"
    page.fill("#new_password", "a sunny morning at the branch")
    assert meter.inner_text().startswith("长度很好")

    page.check("text=显示密码")
    assert page.locator("#new_password").get_attribute("type") == "text"
    assert page.locator("#current_password").get_attribute("type") == "text"
    page.uncheck("text=显示密码")
    assert page.locator("#confirm").get_attribute("type") == "password"

    page.fill("#current_password", "initial-pass")
    page.fill("#new_password", "Password2024!")
    page.fill("#confirm", "Password2024!")
    page.click("form[data-password-form] button[type=submit]")
    assert "这是常见密码" in page.locator(".field-error").inner_text()

    page.fill("#current_password", "initial-pass")
    page.fill("#new_password", "a sunny morning at the branch")
    page.fill("#confirm", "a sunny morning at the branch")
    page.click("form[data-password-form] button[type=submit]")
    page.wait_for_url(f"{live_server}/exam/")
    assert "密码已修改" in page.content()


def test_the_login_page_can_show_the_password(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("input[name=password]", "typed with care")
    page.check("text=显示密码")
    assert page.locator("input[name=password]").get_attribute("type") == "text"
